-- The schema of an earlier version of Retain (commit 718c34c), as its models created it on SQLite.
CREATE TABLE answer (
	id INTEGER NOT NULL, 
	learner_id BIGINT NOT NULL, 
	item_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	correct BOOLEAN NOT NULL, 
	answered_at DATETIME NOT NULL, 
	context VARCHAR(16) NOT NULL, 
	prompt_id INTEGER, 
	PRIMARY KEY (id), 
	UNIQUE (prompt_id)
);
CREATE INDEX ix_answer_learner_time ON answer (learner_id, answered_at);
CREATE TABLE itemstate (
	learner_id BIGINT NOT NULL, 
	item_id VARCHAR NOT NULL, 
	seen INTEGER NOT NULL, 
	correct INTEGER NOT NULL, 
	wrong INTEGER NOT NULL, 
	streak INTEGER NOT NULL, 
	last_answered_at DATETIME, 
	due_at DATETIME, 
	fsrs_state INTEGER, 
	fsrs_step INTEGER, 
	stability FLOAT, 
	difficulty FLOAT, 
	PRIMARY KEY (learner_id, item_id)
);
CREATE INDEX ix_itemstate_learner_due ON itemstate (learner_id, due_at);
CREATE TABLE learner (
	id BIGINT NOT NULL, 
	awarding_body VARCHAR, 
	timezone VARCHAR NOT NULL, 
	reminder_time VARCHAR, 
	reminder_chosen BOOLEAN NOT NULL, 
	focus_area VARCHAR, 
	daily_goal INTEGER, 
	streak_days INTEGER NOT NULL, 
	streak_day VARCHAR, 
	active BOOLEAN NOT NULL, 
	next_nudge_at DATETIME, 
	last_nudge_at DATETIME, 
	last_nudge_day VARCHAR, 
	nudges_sent INTEGER NOT NULL, 
	ignored_nudges INTEGER NOT NULL, 
	backoff_notified BOOLEAN NOT NULL, 
	paused_until DATETIME, 
	last_active_at DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_learner_next_nudge_at ON learner (next_nudge_at);
CREATE TABLE prompt (
	id INTEGER NOT NULL, 
	learner_id BIGINT NOT NULL, 
	item_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	context VARCHAR(16) NOT NULL, 
	sent_at DATETIME NOT NULL, 
	revealed BOOLEAN NOT NULL, 
	revealed_at DATETIME, 
	answered_at DATETIME, 
	correct BOOLEAN, 
	followed_up BOOLEAN NOT NULL, 
	params VARCHAR, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_prompt_learner_id ON prompt (learner_id, id);
CREATE TABLE tipshown (
	learner_id BIGINT NOT NULL, 
	tip_id VARCHAR NOT NULL, 
	shown_at DATETIME NOT NULL, 
	PRIMARY KEY (learner_id, tip_id)
);
