"""The supervisor dashboard's figures: queues, SLAs, outlets, regions."""
