-- Tokens limited to some sites: a JSON array of site ids, or NULL for every site.
ALTER TABLE `api_tokens` ADD `sites` text;
