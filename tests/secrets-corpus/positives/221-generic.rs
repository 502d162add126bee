# settings
let auth_token = "SHew3Y630fLqqX1SJY";
