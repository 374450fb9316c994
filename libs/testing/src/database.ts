// placeholder: filled in by the database test helper work; exports nothing yet
export {};
