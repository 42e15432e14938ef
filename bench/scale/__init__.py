"""The scale study: how search costs grow from hundreds of passages to a million."""
