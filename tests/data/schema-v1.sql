-- A kiosk database as schema version 1 left it, with one finished response,
-- for the migration test. Do not change: it stands for files in the field.
CREATE TABLE device (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE responses (
    id TEXT PRIMARY KEY, pack_id TEXT NOT NULL, pack_version TEXT NOT NULL, band TEXT NOT NULL,
    visit_type TEXT NOT NULL, language TEXT NOT NULL, device_id TEXT NOT NULL,
    started_at INTEGER NOT NULL, ended_at INTEGER,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'complete', 'incomplete'))
);
CREATE INDEX responses_by_start ON responses(started_at, id);
CREATE TABLE answers (
    response_id TEXT NOT NULL REFERENCES responses(id), question_id TEXT NOT NULL, position INTEGER NOT NULL,
    kind TEXT NOT NULL, measure TEXT NOT NULL, skipped INTEGER NOT NULL CHECK (skipped IN (0, 1)),
    options TEXT NOT NULL, text TEXT NOT NULL, answered_at INTEGER NOT NULL,
    PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;
INSERT INTO device VALUES ('device_id', '0123456789abcdef0123456789abcdef');
INSERT INTO responses VALUES ('00000000000000000000000000000001', 'after-my-visit', '1.0.0', '4-7', 'visit', 'en',
    '0123456789abcdef0123456789abcdef', 1700000000000, 1700000060000, 'complete');
INSERT INTO answers VALUES ('00000000000000000000000000000001', 'listened', 0, 'faces', 'listened', 0, '["happy"]', '',
    1700000010000);
PRAGMA user_version = 1;
