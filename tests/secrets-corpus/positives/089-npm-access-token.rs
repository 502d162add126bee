use std::env;

const TOKEN: &str = "npm_Haa2lg8pDKZQqVwRgJV3WGQyi7W5qQAeGNvC";
fn main() {
    println!("ready");
}
