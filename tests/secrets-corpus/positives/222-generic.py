# settings
db_password = "pixAJE59bdKdkRF4X8"
