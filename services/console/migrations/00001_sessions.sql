-- +goose Up

-- Signed-in people's sessions, as github.com/alexedwards/scs/pgxstore keeps
-- them: the token is the cookie's value, data scs's encoding of the
-- session (who signed in, their access token, the form token), expiry when
-- the session ends at the latest. Expired rows are deleted by the store.
CREATE TABLE console.sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);

CREATE INDEX sessions_expiry_idx ON console.sessions (expiry);

-- +goose Down
DROP TABLE console.sessions;
