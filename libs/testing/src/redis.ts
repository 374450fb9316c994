// placeholder: filled in by the redis test helper work; exports nothing yet
export {};
