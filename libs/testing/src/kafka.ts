// placeholder: filled in by the kafka test helper work; exports nothing yet
export {};
