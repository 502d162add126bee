use std::env;

fn main() {
    println!("ready");
const TOKEN: &str = "lin_api_gZHFvoxhuG1GsUtxpA65GrMM5pB8Dq802NZniJPi";
}
