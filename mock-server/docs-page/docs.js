// Swagger UI over this server's bundled OpenAPI document, with "try it" on by default.
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: false,
  displayRequestDuration: true,
  // The public validator badge would call a service on the internet.
  validatorUrl: null,
});
