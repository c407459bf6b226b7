//! How a spec's `snake_case` names are written elsewhere: as a type's name, in words, with a
//! capital. One home, so the OpenAPI document and the generated code name things alike.

/// `room_booking` → `RoomBooking`: the name of a schema or a class.
pub fn pascal(name: &str) -> String {
    name.split('_').map(capitalised).collect()
}

/// `room_booking` → `room booking`.
pub fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// `borrow a book` → `Borrow a book`.
pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
