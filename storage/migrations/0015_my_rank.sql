-- /my pages in SQL: one addressee facet (region, kind, relation) read in display order.
-- sort_key already orders a facet's rows as /my shows them (deadline soonest, newest
-- document, position), so page 1 reads a page of this index, not the whole region.
CREATE INDEX search_facets_rank ON search_facets (region, kind, relation, sort_key);
