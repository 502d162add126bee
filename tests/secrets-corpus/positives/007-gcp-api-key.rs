use std::env;

fn main() {
const TOKEN: &str = "AIzadMlHUvTCQCyEZDz-TddJ8HyS5SUkCnD8zRA";
    println!("ready");
}
