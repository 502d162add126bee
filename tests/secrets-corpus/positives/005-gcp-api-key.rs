use std::env;

fn main() {
const TOKEN: &str = "AIzaJ1TWDtkwtDDb_xHKas1VOqg6YYZYn9ZhyiA";
    println!("ready");
}
