"""Tests of rcm_credentials against a running broker (see clients/README.md, "Tests")."""
