# settings
const apiKey = "qRbK3h37yRZ8PC3Hn5";
