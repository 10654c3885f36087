-- The schema of an earlier version of Retain (commit 4d244bc), as its models created it on SQLite.
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
CREATE TABLE groupsettings (
	chat_id BIGINT NOT NULL, 
	anyone_can_start BOOLEAN NOT NULL, 
	seconds_per_question INTEGER NOT NULL, 
	default_count INTEGER NOT NULL, 
	PRIMARY KEY (chat_id)
);
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
	quiz_named BOOLEAN NOT NULL, 
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
CREATE TABLE quizanswer (
	question_id INTEGER NOT NULL, 
	user_id BIGINT NOT NULL, 
	name VARCHAR NOT NULL, 
	option INTEGER NOT NULL, 
	correct BOOLEAN NOT NULL, 
	points INTEGER NOT NULL, 
	seconds FLOAT NOT NULL, 
	answered_at DATETIME NOT NULL, 
	PRIMARY KEY (question_id, user_id)
);
CREATE TABLE quizquestion (
	id INTEGER NOT NULL, 
	round_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	item_id VARCHAR NOT NULL, 
	options VARCHAR NOT NULL, 
	correct_option INTEGER NOT NULL, 
	poll_id VARCHAR, 
	message_id INTEGER, 
	sent_at DATETIME, 
	closes_at DATETIME, 
	closed BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_quizquestion_round_id ON quizquestion (round_id);
CREATE INDEX ix_quizquestion_closes_at ON quizquestion (closes_at);
CREATE UNIQUE INDEX ix_quizquestion_poll_id ON quizquestion (poll_id);
CREATE TABLE quizround (
	id INTEGER NOT NULL, 
	chat_id BIGINT NOT NULL, 
	started_by BIGINT NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	status VARCHAR(16) NOT NULL, 
	area VARCHAR, 
	seconds_per_question INTEGER NOT NULL, 
	buttons BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_quizround_chat_id ON quizround (chat_id);
CREATE INDEX ix_quizround_status ON quizround (status);
CREATE TABLE tipshown (
	learner_id BIGINT NOT NULL, 
	tip_id VARCHAR NOT NULL, 
	shown_at DATETIME NOT NULL, 
	PRIMARY KEY (learner_id, tip_id)
);
