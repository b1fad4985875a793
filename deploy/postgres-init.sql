-- The product's own role and database, beside Temporal's (created by temporal-sql-tool).
CREATE ROLE app LOGIN PASSWORD 'app';
CREATE DATABASE ghl_whatsapp OWNER app;
