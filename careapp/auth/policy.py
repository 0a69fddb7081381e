"""The password rule, apart from the hashing, so the login window can state it before Argon2 loads."""

MIN_LENGTH = 8
