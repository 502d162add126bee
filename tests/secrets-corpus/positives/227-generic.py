# settings
db_password = "F11ct1393DSALvjl8b"
