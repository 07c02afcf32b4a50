//! (being written)
//! (being written)
