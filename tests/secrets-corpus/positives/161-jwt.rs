use std::env;

fn main() {
    println!("ready");
}
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJoA8j1GjpmT-C8k9VGt-qguz-tC9I7anYHEKnLgGvEr6r8bsA.SNKgO7iDXG5tGorFB5vnO6PWxxtJZb9mik2uCnDEgPl";
