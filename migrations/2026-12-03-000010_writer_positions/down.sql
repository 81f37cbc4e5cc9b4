DROP TABLE writer_positions;
