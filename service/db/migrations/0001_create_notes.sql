-- Notes, and the idempotency keys of the creates that made them.
CREATE TABLE notes (
  id uuid PRIMARY KEY,
  -- Order of creation, for cursor pagination (newest first); never shown.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  title text NOT NULL,
  body text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A create's key and request, so that a retry returns the first result even after the note changed or went.
CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  note_id uuid NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
