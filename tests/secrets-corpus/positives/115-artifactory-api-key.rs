use std::env;

fn main() {
const TOKEN: &str = "AKCpD8vEYDYV31nUvxpeghu4b5YboxeNeFVdm3DOztZE9ytOO45KEu5wU1tV3wK6gML15HeEC";
    println!("ready");
}
