DROP TABLE image_hash_chunks;
DROP TABLE image_hashes;
