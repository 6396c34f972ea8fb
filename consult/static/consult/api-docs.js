// Starts Swagger UI on the API docs page; "Try it out" requests carry the
// CSRF token from the cookie so that session-authenticated writes work.
(function () {
  const root = document.getElementById("swagger-ui");
  const csrf = () => {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    requestInterceptor: (request) => {
      request.headers["X-CSRFToken"] = csrf();
      return request;
    },
  });
})();
