-- list (no filter)
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image FROM articles a JOIN users u ON u.id = a.author_id  ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6;
-- list count (no filter)
EXPLAIN QUERY PLAN SELECT count(*) FROM articles a;
-- list ?tag=
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image FROM articles a JOIN article_tags t ON t.article_id = a.id AND t.tag = ?2 JOIN users u ON u.id = a.author_id  ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6;
-- list count ?tag=
EXPLAIN QUERY PLAN SELECT count(*) FROM articles a JOIN article_tags t ON t.article_id = a.id AND t.tag = ?2;
-- list ?favorited=
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image FROM articles a JOIN favorites f ON f.article_id = a.id AND f.user_id = (SELECT id FROM users WHERE username = ?4) JOIN users u ON u.id = a.author_id  ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6;
-- list ?author=
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image FROM articles a JOIN users u ON u.id = a.author_id WHERE a.author_id = (SELECT id FROM users WHERE username = ?3)  ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6;
-- feed
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id, u.username, u.bio, u.image FROM follows w JOIN articles a ON a.author_id = w.followee_id JOIN users u ON u.id = a.author_id WHERE w.follower_id = ?1  ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6;
-- feed count
EXPLAIN QUERY PLAN SELECT count(*) FROM follows w JOIN articles a ON a.author_id = w.followee_id WHERE w.follower_id = ?1;
-- page tags (one statement per page)
EXPLAIN QUERY PLAN SELECT j.key, t.tag FROM json_each(?1) j CROSS JOIN article_tags t ON t.article_id = j.value;
-- page favorites (one statement per page)
EXPLAIN QUERY PLAN SELECT j.key, (SELECT count(*) FROM favorites f WHERE f.article_id = j.value), EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = j.value AND f.user_id = ?2) FROM json_each(?1) j;
-- page following (one statement per page)
EXPLAIN QUERY PLAN SELECT j.key FROM json_each(?1) j CROSS JOIN follows w ON w.follower_id = ?2 AND w.followee_id = j.value;
-- article (GET /api/articles/<slug>, unchanged)
EXPLAIN QUERY PLAN SELECT a.id, a.slug, a.title, a.description, a.body, a.created_at, a.updated_at, u.username, u.bio, u.image, (SELECT count(*) FROM favorites f WHERE f.article_id = a.id), EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ?1), EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?1 AND w.followee_id = a.author_id), (SELECT json_group_array(t.tag) FROM (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY tag) t) FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = ?2;
