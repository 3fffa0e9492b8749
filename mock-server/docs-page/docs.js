// Swagger UI over this server's bundled OpenAPI document, with "try it" on by default.
/* global SwaggerUIBundle, MutationObserver, Element */
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

// Swagger UI opened its Authorize dialog with the admin token's box focused, the second one:
// a demo key pasted at once went there. The first box, the API key's, takes the focus instead.
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      const firstBox = node instanceof Element ? node.querySelector('.auth-container input') : null;
      // After Swagger UI's own focus, which comes in the same turn.
      if (firstBox) setTimeout(() => firstBox.focus());
    }
  }
}).observe(document.getElementById('swagger-ui'), { childList: true, subtree: true });
