use std::env;

fn main() {
const TOKEN: &str = "sk-ant-api03-vsSKuvinX_zMqf9OgXluCZz8xBfZuXTptFyfePpX6N1NF2XV54wca_7E56w8ZniqT3Ul4ffqkOkgWrdioyq_KvCiSGuPJAA";
    println!("ready");
}
