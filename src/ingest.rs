//! Ingestion: the one writer that merges extracted entities and facts into the store.
