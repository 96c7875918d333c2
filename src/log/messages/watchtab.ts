// Sentences for the watchtab concern.
export {};
