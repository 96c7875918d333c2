// Sentences for the watch concern.
export {};
