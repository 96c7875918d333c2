// Sentences for the run concern.
export {};
