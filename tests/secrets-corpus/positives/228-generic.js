# settings
const apiKey = "1bkjmn25QXJLecuN8I";
