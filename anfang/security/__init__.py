"""Users, roles, audit chain, signing and encryption (SM2/SM3/SM4), privacy masking."""
