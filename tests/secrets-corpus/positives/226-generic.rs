# settings
let auth_token = "kzKqXb159kzw0LaK5S";
