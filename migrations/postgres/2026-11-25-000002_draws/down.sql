DROP TABLE checkpoints;
DROP TABLE outbox;
DROP TABLE invitations;
DROP TABLE panel_changes;
DROP TABLE panel_members;
DROP TABLE draws;
