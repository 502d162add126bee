# settings
db_password = "fXsSHG77ONOZJyGhft"
