-- The schema of an earlier version of Retain (commit a3a38fb), as its models created it on SQLite.
CREATE TABLE answer (
	id INTEGER NOT NULL, 
	learner_id BIGINT NOT NULL, 
	item_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	correct BOOLEAN NOT NULL, 
	answered_at DATETIME NOT NULL, 
	context VARCHAR(7) NOT NULL, 
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
	PRIMARY KEY (learner_id, item_id)
);
CREATE INDEX ix_itemstate_learner_due ON itemstate (learner_id, due_at);
CREATE TABLE learner (
	id BIGINT NOT NULL, 
	awarding_body VARCHAR, 
	timezone VARCHAR NOT NULL, 
	reminder_time VARCHAR, 
	reminder_chosen BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE prompt (
	id INTEGER NOT NULL, 
	learner_id BIGINT NOT NULL, 
	item_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	context VARCHAR(7) NOT NULL, 
	sent_at DATETIME NOT NULL, 
	revealed BOOLEAN NOT NULL, 
	answered_at DATETIME, 
	correct BOOLEAN, 
	followed_up BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_prompt_learner_id ON prompt (learner_id, id);
