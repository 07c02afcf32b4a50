-- A panel's invitations are looked up in the outbox by recipient (the
-- invitation id): at every reveal (held messages restored) and in every
-- draw view (delivery state). Without an index each is a scan of the whole
-- outbox, which only grows.
CREATE INDEX outbox_recipient ON outbox (recipient_ref);
