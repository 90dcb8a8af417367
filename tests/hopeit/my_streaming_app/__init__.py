"""The hopeit.engine streams tutorial app, as feedctl's tests run it (tests/cli/hopeit.rs)."""
