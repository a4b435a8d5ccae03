// Placeholder: this lesson is being written.
