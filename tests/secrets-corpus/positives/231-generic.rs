# settings
let auth_token = "DK2OeV63OThfwfOpTU";
