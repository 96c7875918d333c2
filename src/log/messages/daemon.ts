// Sentences for the daemon concern.
export {};
