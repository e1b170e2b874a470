namespace courtplay::server {}
