"""Class quiz rounds in a group: rules, the round lifecycle, the teacher's report."""
