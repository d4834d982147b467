"""HTTP layer: dependencies, middleware, error handlers and one router per resource."""
