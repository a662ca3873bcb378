// Renders the API reference page from the served OpenAPI document with the vendored Swagger UI.
const documentUrl = document.currentScript.dataset.document;

window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: documentUrl,
    dom_id: '#api-docs',
    deepLinking: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    tryItOutEnabled: false,
  });
});
