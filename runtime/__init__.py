"""Part of jitlint."""
