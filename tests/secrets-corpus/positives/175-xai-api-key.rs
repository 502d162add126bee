use std::env;

fn main() {
const TOKEN: &str = "xai-b1koP9NhJQBHlaA9YF32cn18EfnhzYeLLDocSDlySENfTB8KsDRczx5G0LWJMpqF6dh8jvH0aRF1NZLD";
    println!("ready");
}
